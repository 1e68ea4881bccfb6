// Option parsers shared by the commands: they reject bad values before anything is opened.
import { InvalidArgumentError } from "commander";

export function integerOption(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`must be from ${min} to ${max}.`);
    return number;
  };
}

export const portOption = integerOption(1, 65535);
