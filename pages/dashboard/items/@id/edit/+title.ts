export default 'Edit item · NucleusID'
