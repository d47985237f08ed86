// The public API of this package lands with its own issue; nothing is exported yet.
export {};
