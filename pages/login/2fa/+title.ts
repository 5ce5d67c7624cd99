export default 'Two-factor code · NucleusID'
