// Build 2: the loader script embedded on customer sites (widget.js). Must run after the frame build.
import { iifeScript } from './vite.iife';

export default iifeScript('src/loader/index.ts', 'ChatDeskLoader', 'widget.js');
