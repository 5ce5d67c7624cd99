export default 'New item · NucleusID'
