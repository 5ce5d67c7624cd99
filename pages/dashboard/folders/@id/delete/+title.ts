export default 'Delete folder · NucleusID'
