// The public names of the webhooks part (re-exported by the lib's index).
export {};
