export { default } from '../+title'
