export * from './app-error';
export * from './format-error';
