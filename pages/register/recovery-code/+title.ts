export default 'Save your recovery code · NucleusID'
