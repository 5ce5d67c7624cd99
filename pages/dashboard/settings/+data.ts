export { data } from './@section/+data'
