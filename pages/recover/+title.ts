export default 'Recover account · NucleusID'
