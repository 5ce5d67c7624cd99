export default 'Create account · NucleusID'
