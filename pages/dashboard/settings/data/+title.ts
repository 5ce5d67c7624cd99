export default 'Data · Settings · NucleusID'
