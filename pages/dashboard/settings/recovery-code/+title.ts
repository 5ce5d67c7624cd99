export default 'New recovery code · NucleusID'
