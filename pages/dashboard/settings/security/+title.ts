export default 'Security · Settings · NucleusID'
