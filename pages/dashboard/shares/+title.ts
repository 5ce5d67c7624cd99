export default 'Shares · NucleusID'
