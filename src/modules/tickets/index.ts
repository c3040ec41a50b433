export const ticketResolvers: Function[] = [];
