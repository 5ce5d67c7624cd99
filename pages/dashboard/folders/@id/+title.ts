export default 'Folder · NucleusID'
