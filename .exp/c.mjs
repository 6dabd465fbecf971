import{createRequire as __r}from'node:module';const require=__r(import.meta.url);
console.log(1);setTimeout(()=>{globalThis.gc?.(),console.log((process.memoryUsage().rss/1048576).toFixed(1),(process.memoryUsage().heapUsed/1048576).toFixed(1))},500);
