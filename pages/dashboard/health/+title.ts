export default 'Vault health · NucleusID'
