export default 'Import result · NucleusID'
