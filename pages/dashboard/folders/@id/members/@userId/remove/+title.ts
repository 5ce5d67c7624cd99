export default 'Remove from folder · NucleusID'
