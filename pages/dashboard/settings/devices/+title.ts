export default 'Devices · Settings · NucleusID'
