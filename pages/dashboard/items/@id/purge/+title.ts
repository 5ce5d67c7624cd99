export default 'Delete forever · NucleusID'
