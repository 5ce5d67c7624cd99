export default 'Two-factor authentication · NucleusID'
