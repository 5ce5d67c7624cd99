export default 'Vault · NucleusID'
