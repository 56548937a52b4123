// The public names of the endpoints part (re-exported by the lib's index).
export {};
