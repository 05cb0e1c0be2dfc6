// Express 4 is installed as the alias `express4`; its API as used here matches Express 5's types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
