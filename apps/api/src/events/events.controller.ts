import { Controller } from '@nestjs/common';

/** The event feed: every event, oldest first, after a cursor. */
@Controller('events')
export class EventsController {}
