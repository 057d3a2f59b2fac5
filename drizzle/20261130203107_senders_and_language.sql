CREATE TABLE "blocked_senders" (
	"pattern" text PRIMARY KEY NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"added_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "language" text;