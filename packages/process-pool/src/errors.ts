// The initializer's error is shared with ThreadPool; it lives in @x/executor and keeps its identity here.
export { InitializerError } from '@x/executor';
