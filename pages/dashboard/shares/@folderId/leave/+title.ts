export default 'Leave folder · NucleusID'
