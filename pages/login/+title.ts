export default 'Log in · NucleusID'
