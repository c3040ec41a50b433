export const messageResolvers: Function[] = [];
