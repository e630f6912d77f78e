import ViTCommands

ProcessSetup.preparePassiveOpenMP()
ProcessSetup.keepLargeAllocationsInHeap()
EvalCommand.main()
