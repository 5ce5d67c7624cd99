export default 'Empty the trash · NucleusID'
