export default 'Trash · NucleusID'
