export { default } from './@section/+Page.vue'
