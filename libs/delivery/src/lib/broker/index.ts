// The public names of the broker part (re-exported by the lib's index).
export {};
