export default 'Delete item · NucleusID'
