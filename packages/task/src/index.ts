export { AbortError, InvalidStateError, TaskGroupError, UnretrievedTaskError } from './errors.js';
export { type ShieldOptions, shield } from './shield.js';
export { createTask, Task, type TaskFunction, type TaskOptions } from './task.js';
export { type SpawnOptions, TaskGroup, type TaskGroupOptions, taskGroup } from './task-group.js';
