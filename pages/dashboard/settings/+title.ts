export { default } from './@section/+title'
