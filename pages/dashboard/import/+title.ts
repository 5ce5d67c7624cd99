export default 'Import · NucleusID'
