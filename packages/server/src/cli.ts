/**
 * `npx xiaoer <command>`. Commands and their flags are a stable interface (README "CLI").
 *   start            run the server (same as `npm start` without building the UI)
 *   seed-demo        add the demo shop to the configured database if it has none
 *   help             this text
 */
import { loadConfig } from './config';
import { seedDemoShop } from './demo/demo-shop';
import { openStorage } from './storage';

const [command = 'help'] = process.argv.slice(2);

const HELP = `xiaoer — 店小二 customer service

usage: npx xiaoer <command>

commands:
  start       run the server (config from the environment, see README)
  seed-demo   add the demo shop 小二旗舰店 to the database if it has none
  help        show this text
`;

switch (command) {
  case 'start':
    await import('./main');
    break;
  case 'seed-demo': {
    const config = loadConfig();
    const storage = await openStorage(config.DATABASE_URL);
    const seeded = await seedDemoShop(storage);
    console.log(seeded ? 'demo shop seeded' : 'the demo shop exists already');
    await storage.close();
    break;
  }
  case 'help':
  case '--help':
  case '-h':
    console.log(HELP);
    break;
  default:
    console.error(`unknown command: ${command}\n\n${HELP}`);
    process.exit(2);
}
