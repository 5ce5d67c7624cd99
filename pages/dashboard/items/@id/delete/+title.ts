export default 'Move to trash · NucleusID'
