export default 'Settings · NucleusID'
