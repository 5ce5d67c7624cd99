export default 'Appearance · Settings · NucleusID'
