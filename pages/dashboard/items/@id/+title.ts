export default 'Item · NucleusID'
