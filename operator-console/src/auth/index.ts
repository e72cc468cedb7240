export { fetchMe, logout } from './api';
export { createLoginView } from './loginView';
