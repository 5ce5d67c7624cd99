export default 'Account · Settings · NucleusID'
