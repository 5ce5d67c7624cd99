export default 'Verify email · NucleusID'
