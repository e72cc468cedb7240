// Build 3: the co-browse recorder (rrweb), cobrowse.js, which the loader adds to the host page only when
// a co-browse starts. Must run after the frame build.
import { iifeScript } from './vite.iife';

export default iifeScript('src/cobrowse/index.ts', 'ChatDeskCobrowseBundle', 'cobrowse.js');
