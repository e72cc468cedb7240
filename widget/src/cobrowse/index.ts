// Entry of cobrowse.js: hands the recorder to the loader through one global.
import { startRecording } from './recorder';

export interface CobrowseRecorder {
  startRecording: typeof startRecording;
}

(window as Window & { ChatDeskCobrowse?: CobrowseRecorder }).ChatDeskCobrowse = { startRecording };
