#!/usr/bin/env node
// Fails when the files of src/ import each other in a circle, and prints each circle as a path
// (a -> b -> a). Part of `npm run lint`. A circle makes module order matter at load time and hides
// which of two modules is the lower layer; the layer rule (scripts/layers.mjs) keeps folders one-way,
// this keeps files one-way inside a folder too.
//
// Usage: node scripts/check-cycles.mjs [root]   (root defaults to the current directory)
import { pathToFileURL } from 'node:url';
import { importGraph } from './import-graph.mjs';

/**
 * Circles known and owned elsewhere, each as its files in order from the smallest name. Only a
 * circle exactly equal to an entry passes; a new circle, or a change to a listed one, fails.
 * Empty: src/ has no circle.
 */
const KNOWN = [];

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function circles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const strong = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        strong(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) strong(node);
  return found;
}

/** One concrete circle through `start` inside `component`: start -> … -> start. */
export function circlePath(graph, component, start = component[0]) {
  const members = new Set(component);
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const graph = importGraph(process.argv[2] ?? process.cwd());
  const known = new Set(KNOWN.map((files) => files.join(' ')));
  const bad = circles(graph).filter((component) => !known.has(component.join(' ')));
  for (const component of bad) {
    console.error(`import circle (${component.length} files): ${circlePath(graph, component).join(' -> ')}`);
    for (const file of component) console.error(`  ${file}`);
  }
  if (bad.length > 0) process.exit(1);
}
